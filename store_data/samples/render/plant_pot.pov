#version 3.7;
// Terracotta plant pot, 14 cm, with saucer (shown with a succulent).
#include "studio.inc"

#declare Terracotta = texture {
  pigment {
    granite
    color_map {
      [0.0 rgb SRGB(<0.72, 0.42, 0.28>)]
      [0.6 rgb SRGB(<0.76, 0.45, 0.30>)]
      [1.0 rgb SRGB(<0.62, 0.35, 0.23>)]
    }
    scale 0.8
  }
  normal { granite 0.15 scale 0.12 }
  finish { diffuse 0.85 ambient 0 specular 0.04 roughness 0.08 }
}
#declare Pot = difference {
  union {
    cone { <0, 1.2, 0>, 5.4, <0, 11.0, 0>, 6.6 }
    object { Round_Cylinder(<0, 10.4, 0>, <0, 13.2, 0>, 7.2, 0.25, 1) }
  }
  cone { <0, 2.0, 0>, 4.8, <0, 13.5, 0>, 6.5 }
  texture { Terracotta }
}
#declare Saucer = difference {
  cone { <0, 0, 0>, 6.0, <0, 1.6, 0>, 7.2 }
  cone { <0, 0.4, 0>, 5.7, <0, 1.7, 0>, 6.8 }
  texture { Terracotta }
}
#declare Soil = cylinder {
  <0, 11.6, 0>, <0, 11.9, 0>, 6.45
  texture { pigment { granite color_map { [0 rgb SRGB(<0.22, 0.16, 0.11>)] [1 rgb SRGB(<0.12, 0.08, 0.05>)] } scale 0.3 }
            normal { granite 0.6 scale 0.25 } finish { diffuse 0.7 ambient 0 } }
}
#declare Leaf = sphere { 0, 1 scale <2.2, 0.55, 1.0> translate x*1.9 }
#declare Succulent = union {
  #declare Ring = 0;
  #while (Ring < 4)
    #declare N = 6 + Ring*2;
    #declare I = 0;
    #while (I < N)
      object { Leaf scale (1.0 - Ring*0.18)
               rotate z*(18 + Ring*16)
               rotate y*(I*360/N + Ring*23) }
      #declare I = I + 1;
    #end
    #declare Ring = Ring + 1;
  #end
  texture {
    pigment { gradient x color_map { [0 rgb SRGB(<0.55, 0.68, 0.55>)] [1 rgb SRGB(<0.40, 0.56, 0.48>)] } scale 5 }
    finish { diffuse 0.75 ambient 0 specular 0.3 roughness 0.02 }
  }
  translate y*12.0
}

union { object { Saucer } object { Pot translate y*0.4 } object { Soil translate y*0.4 } object { Succulent translate y*0.4 } }
Shoot(<0, 7.8, 0>, 24.5, 17, 0)
Flags(40)
