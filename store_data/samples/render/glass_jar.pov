#version 3.7;
// Glass storage jar, 1 L, with bamboo lid and silicone seal (shown with red lentils).
#include "studio.inc"

#declare Jar = difference {
  Round_Cylinder(<0, 0, 0>, <0, 16.0, 0>, 5.3, 0.5, 1)
  Round_Cylinder(<0, 0.45, 0>, <0, 17.0, 0>, 4.95, 0.4, 1)
  material { Clear_Glass }
  no_shadow
}
#declare Lentils = cylinder {
  <0, 0.5, 0>, <0, 10.5, 0>, 4.93
  texture {
    pigment { crackle color_map { [0 rgb SRGB(<0.70, 0.30, 0.12>)] [0.4 rgb SRGB(<0.86, 0.47, 0.22>)] [1 rgb SRGB(<0.92, 0.56, 0.30>)] } scale 0.22 }
    normal { crackle 0.9 scale 0.22 }
    finish { diffuse 0.8 ambient 0 specular 0.15 roughness 0.05 }
  }
}
#declare Lid = union {
  object { Round_Cylinder(<0, 15.7, 0>, <0, 18.3, 0>, 5.45, 0.35, 1) texture { Bamboo_Tex scale 0.5 } }
  cylinder { <0, 15.3, 0>, <0, 15.75, 0>, 5.0 texture { pigment { rgb 0.85 } finish { diffuse 0.8 ambient 0 specular 0.2 } } }
}

union {
  object { Jar } object { Lentils } object { Lid }
  Glass_Shadow(cylinder { <0, 0.1, 0>, <0, 15.5, 0>, 5.1 }, <0.93, 0.97, 0.95, 0.55>)
  rotate y*20
}
Shoot(<0, 8.9, 0>, 24, 15, 0)
Flags(40)
