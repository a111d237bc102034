#version 3.7;
// Scented soy candle in an amber glass jar with a paper label and wooden lid.
#include "studio.inc"

#declare Amber = material {
  texture {
    pigment { rgbf <0.80, 0.42, 0.10, 0.86> }
    finish { diffuse 0.08 ambient 0 specular 0.8 roughness 0.001
             reflection { 0.05, 1.0 fresnel on } conserve_energy }
  }
  interior { ior 1.5 fade_distance 1.2 fade_power 1001 fade_color <0.85, 0.45, 0.12> }
}

#declare Jar = difference {
  Round_Cylinder(<0, 0, 0>, <0, 9.0, 0>, 4.2, 0.35, 1)
  cylinder { <0, 0.6, 0>, <0, 9.5, 0>, 3.85 }
  material { Amber }
  no_shadow
}
#declare Wax = cylinder {
  <0, 0.6, 0>, <0, 7.2, 0>, 3.84
  texture { pigment { rgb SRGB(<0.95, 0.92, 0.84>) }
            finish { diffuse 0.8 ambient 0 specular 0.2 roughness 0.04 } }
}
#declare Wick = union {
  cylinder { <0, 7.1, 0>, <0, 8.1, 0>, 0.07 }
  sphere { <0.05, 8.1, 0>, 0.08 }
  texture { pigment { rgb 0.03 } finish { diffuse 0.6 ambient 0 } }
}
#declare Label = difference {
  cylinder { <0, 2.4, 0>, <0, 6.2, 0>, 4.23 }
  cylinder { <0, 2.3, 0>, <0, 6.3, 0>, 4.2 }
  texture {
    pigment {
      gradient y
      color_map {
        [0.00 rgb SRGB(<0.93, 0.90, 0.83>)]
        [0.60 rgb SRGB(<0.93, 0.90, 0.83>)]
        [0.60 rgb SRGB(<0.30, 0.33, 0.28>)]
        [0.66 rgb SRGB(<0.30, 0.33, 0.28>)]
        [0.66 rgb SRGB(<0.93, 0.90, 0.83>)]
        [1.00 rgb SRGB(<0.93, 0.90, 0.83>)]
      }
      scale 3.8 translate y*2.4
    }
    finish { diffuse 0.85 ambient 0 specular 0.05 roughness 0.05 }
  }
}
#declare Lid = object {
  Round_Cylinder(<0, 0, 0>, <0, 1.4, 0>, 4.35, 0.3, 1)
  Wood(<0.62, 0.44, 0.28>, <0.45, 0.30, 0.18>, 0.5)
}

union {
  object { Jar } object { Wax } object { Wick } object { Label }
  Glass_Shadow(cylinder { <0, 0.1, 0>, <0, 8.9, 0>, 4.0 }, <0.95, 0.62, 0.30, 0.6>)
}
object { Lid translate <7.2, 0, 5.5> }
Shoot(<2.4, 4.4, 2.0>, 18.5, 20, -8)
Flags(40)
